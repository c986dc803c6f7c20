/**
 * Reports over reward-model scores: AUC and the generated-session reward report.
 *
 * <p>Audience: research tooling and examples.
 */
package io.onerec.tools.reward;
