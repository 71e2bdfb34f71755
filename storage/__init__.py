"""The figures store: the schema (`models`), engines (`db`), writes (`writes`) and every query (`queries`)."""
