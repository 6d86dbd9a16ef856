//! Virtual numbers (`dj_virtual_numbers`): the pool's states and the lookups the call flow needs.
