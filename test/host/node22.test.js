// The Node host on Node 22 (the pinned version from scripts/ensure-node.sh), whose default wait strategy is asyncify.
import { nodeVersionSuite } from './node-version-suite.js';

nodeVersionSuite(22, 'asyncify');
