# tests for the publish area
