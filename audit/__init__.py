"""Evidence package → readers → facts → rules → scored report (uses forms/, never service/)."""
