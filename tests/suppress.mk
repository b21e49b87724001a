# tests for suppression
