"""HTTP building blocks every service uses."""
