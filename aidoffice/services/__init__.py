"""Use cases that span features (DESIGN.md: services < office < cli): they may import every feature
package below them and are what the command line and the UI call."""
