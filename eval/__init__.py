"""granska.eval: the accuracy suite; drives the app only through its public entry points."""
