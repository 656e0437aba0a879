"""What every edge shares (the local server, `smartdoor replay`, the local analyser, a Lambda later): the
wire formats they read, decoded into domain values. Imports only the domain, so a Lambda can load it."""
