# tests for the export area
