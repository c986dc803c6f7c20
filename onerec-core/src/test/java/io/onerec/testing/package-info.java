/**
 * Shared test fixtures, published in onerec-core's test-jar: tiny fitted codecs, random generator checkpoints,
 * synthetic embeddings, and the check that skips data-dependent tests when the shared data sets are absent.
 *
 * <p>Audience: the tests of every module.
 */
package io.onerec.testing;
