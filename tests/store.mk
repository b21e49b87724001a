# tests for the store
