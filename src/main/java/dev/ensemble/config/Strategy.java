package dev.ensemble.config;

/** How a provider's endpoints share its traffic ({@code providers.<name>.strategy}). */
public enum Strategy {
  SESSION_AFFINITY,
  ROUND_ROBIN,
  LEAST_USED,
  WEIGHTED
}
