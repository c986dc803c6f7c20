/**
 * A feedback simulator that logs sessions with binary feedback, for reward-model training and preference alignment
 * without live traffic.
 *
 * <p>Audience: research tooling, examples and tests.
 */
package io.onerec.tools.sim;
