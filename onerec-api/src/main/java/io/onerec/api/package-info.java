/**
 * The host-facing API: what a service that embeds onerec-java calls. {@link io.onerec.api.Generator} (next-item and
 * session recommendation), {@link io.onerec.api.SemanticIdCodec} (items to semantic IDs and back),
 * {@link io.onerec.api.RewardModel}, {@link io.onerec.api.Reasoner} (OneRec-Think), their value records, and
 * {@link io.onerec.api.DecodingOptions} (how to decode; not to be confused with a model's shape), with request
 * filters ({@link io.onerec.api.ItemFilter}) and an item prior fused into the search
 * ({@link io.onerec.api.ItemPrior}, {@link io.onerec.api.PriorFusion}). Obtain
 * implementations from {@link io.onerec.api.spi.Backends#get()}.
 *
 * <p>Audience: host applications. Contract: stable; implementations are thread-safe unless a type says otherwise;
 * bad input fails with an exception that names the problem.
 */
package io.onerec.api;
