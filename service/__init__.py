"""Running the app as a service: the gunicorn configuration and the scheduled refresh."""
