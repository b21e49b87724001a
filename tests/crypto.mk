# tests for the crypto area
