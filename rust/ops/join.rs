//! Joining and rearranging: cat/stack/split, flip/roll/repeat, sort/unique/topk, tril/diag, delete/insert.
