/**
 * The generator contract shared by backends: the model shape ({@link io.onerec.api.generator.GeneratorConfig}), the
 * token layout ({@link io.onerec.api.generator.GeneratorTokens}) and the trie-constrained beam search
 * ({@link io.onerec.api.generator.ConstrainedBeamSearch}) that drives a backend's {@link
 * io.onerec.api.generator.StepDecoder}.
 *
 * <p>Audience: backend SPI. Contract: a backend supplies only the {@code StepDecoder}; the search, token layout and
 * tie-breaking are defined here once, so every backend returns the same sessions up to float rounding.
 */
package io.onerec.api.generator;
