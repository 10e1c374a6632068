"""Use cases that span features (DESIGN.md: services < office < cli): they may import every feature
package below them and are what the command line and the UI call — a slip registered and the problem
list kept in step, a need raised on a visit made a problem, a case's notices printed."""
