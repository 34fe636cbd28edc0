"""Plays the telephony provider: simulates an evening of hotline calls and posts it to ingest."""
