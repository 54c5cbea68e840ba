//! Indexing: getitem/setitem, gather/scatter, masked ops, nonzero.
