package dev.ensemble.providers.vertex;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an endpoint's Vertex calls go: a region ({@code us-east5}, {@code europe-west1}, {@code global}) and,
 * when the endpoint names one, the project billed; otherwise the project is the service account's
 * {@code project_id}. Written in config as {@code region: us-east5} or, to use another project than the service
 * account's, as the location's resource name {@code region: projects/my-project/locations/us-east5}. Immutable.
 *
 * @param project the project, or null to use the service account's
 */
public record VertexLocation(String project, String region) {

  public static final String GLOBAL = "global";

  private static final Pattern REGION = Pattern.compile("[a-z][a-z0-9-]*[a-z0-9]");
  private static final Pattern RESOURCE = Pattern.compile("projects/([A-Za-z0-9][A-Za-z0-9.:_-]*)/locations/([^/]+)");

  /**
   * Parses an endpoint's {@code region}.
   *
   * @throws IllegalArgumentException when it is neither a region nor {@code projects/<project>/locations/<region>}
   */
  public static VertexLocation parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("is required for vertex (e.g. us-east5, global, or projects/<project>/locations/<region>)");
    }
    String project = null;
    String region = value.trim();
    Matcher resource = RESOURCE.matcher(region);
    if (resource.matches()) {
      project = resource.group(1);
      region = resource.group(2);
    }
    if (!REGION.matcher(region).matches()) {
      throw new IllegalArgumentException("'" + value + "' is not a Vertex region (e.g. us-east5, global) or "
          + "projects/<project>/locations/<region>");
    }
    return new VertexLocation(project, region);
  }

  /** {@code https://<region>-aiplatform.googleapis.com}, or {@code https://aiplatform.googleapis.com} for {@code global}. */
  public String defaultBaseUrl() {
    return GLOBAL.equals(region) ? "https://aiplatform.googleapis.com" : "https://" + region + "-aiplatform.googleapis.com";
  }
}
