package dev.ensemble.config;

import java.util.Locale;

/** How a provider's endpoints share its traffic ({@code providers.<name>.strategy}). */
public enum Strategy {
  SESSION_AFFINITY,
  ROUND_ROBIN,
  LEAST_USED,
  WEIGHTED;

  private final String configName = name().toLowerCase(Locale.ROOT);

  /** The name as the config spells it ({@code session_affinity}): also the route reason of a choice by this strategy. */
  public String configName() {
    return configName;
  }
}
