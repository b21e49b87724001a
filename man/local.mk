# man/: pages are added by the area fragments that own them.
