/**
 * Item embeddings from interaction data (co-occurrence plus metadata, reduced with a randomized SVD): the input
 * of codec fitting when no content encoder is available.
 *
 * <p>Audience: research tooling and examples.
 */
package io.onerec.tools.embed;
