"""The input and output layer: reading records from users' files, writing tagged records, atomic files."""
