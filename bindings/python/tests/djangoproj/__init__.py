"""A minimal Django Channels project served by daphne in the integration tests."""
