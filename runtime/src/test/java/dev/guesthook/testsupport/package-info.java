/**
 * What every module's test run shares through the runtime's test-jar, such as the summary of
 * skipped tests the build prints.
 */
@MayUse({})
package dev.guesthook.testsupport;

import dev.guesthook.MayUse;
