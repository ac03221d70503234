package dev.ensemble.ingress;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.GatewayError;

/**
 * An upstream attempt that failed before any byte reached the client, so the request may still go elsewhere.
 *
 * @param cause       short cause for the route reason: the upstream status ({@code 429}, {@code 529}) or
 *                    {@code timeout}, {@code connection}, {@code auth} (no credentials), {@code truncated}, {@code invalid_response}
 * @param clientError what the client is told if no other attempt succeeds
 */
record AttemptFailure(ErrorClass errorClass, String cause, Long retryAfterMillis, GatewayError clientError) {}
