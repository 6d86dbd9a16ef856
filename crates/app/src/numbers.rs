//! The virtual-number pool (SPEC §5): assignment, purchase, release and cooling.
