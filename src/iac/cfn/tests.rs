//! Unit tests of the template reader over small templates written here.
