# tests for the daemon area
