/**
 * The residual-quantization semantic-ID codec (balanced or plain k-means per level, collision handling, checkpoint),
 * in pure Java and backend-neutral: every backend loads codecs with {@link io.onerec.core.codec.ResidualCodec#load}.
 *
 * <p>Audience: backends (loading) and tooling (fitting, {@link io.onerec.core.codec.ResidualCodecFitter}). Hosts
 * use it only as a {@link io.onerec.api.SemanticIdCodec}. Contract: encoding one vector gives exactly the codes the
 * batch fit computed, on every kernel implementation.
 */
package io.onerec.core.codec;
