# tests for the measures area
