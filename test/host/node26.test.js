// The Node host on Node 26 (the pinned version from scripts/ensure-node.sh), whose default wait strategy is jspi.
import { nodeVersionSuite } from './node-version-suite.js';

nodeVersionSuite(26, 'jspi');
