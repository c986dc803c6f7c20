/**
 * Iterative Preference Alignment (OneRec's DPO over reward-ranked generated sessions).
 *
 * <p>Audience: training programs.
 */
package io.onerec.libtorch.ipa;
