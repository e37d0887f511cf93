"""Kinerja portal: the web application for pegawai, atasan and admins (Bahasa Indonesia)."""
