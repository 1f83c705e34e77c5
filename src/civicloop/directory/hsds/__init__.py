"""HSDS 3.0 in and out: the tabular data package (datapackage.json + CSV) and HSDS JSON."""
