# conf/: the bundled registry, the example configuration and the service unit.
dist_pkgdata_DATA += conf/kommuner.csv conf/kommuner.SOURCE
