"""SneakyScanner engines: plain data in, plain data out, no Flask."""
