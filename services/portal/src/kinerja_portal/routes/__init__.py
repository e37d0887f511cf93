"""The portal's pages, one module per area (each holds its ``router``)."""

from . import admin, atasan, beranda, evaluasi, masuk, pegawai

ROUTERS = [masuk.router, beranda.router, pegawai.router, atasan.router, evaluasi.router, admin.router]
