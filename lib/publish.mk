# Publishing: tables, suppression, the suppression log.
