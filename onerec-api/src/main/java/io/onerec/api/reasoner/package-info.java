/**
 * The reasoner (OneRec-Think) contract shared by backends: a {@link io.onerec.api.reasoner.LanguageModel} with
 * incremental {@link io.onerec.api.reasoner.DecodingState}, the decoding modes over any such model
 * ({@link io.onerec.api.reasoner.ReasonerDecoder}, {@link io.onerec.api.reasoner.SidReasoner}), the Qwen
 * checkpoint layout, tokenizers and the SID vocabulary, and the training texts and rewards.
 *
 * <p>Audience: backend SPI (and trainers). Contract: a backend supplies a {@code LanguageModel}; everything else is
 * backend-independent.
 */
package io.onerec.api.reasoner;
