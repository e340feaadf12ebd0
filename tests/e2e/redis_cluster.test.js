// The Redis engine suite (redis_engine_suite.js) on a 3-primary Redis Cluster with one
// replica per primary, the nodes given a `redis+cluster://` URL (issue 13).
import { redisEngineSuite } from './redis_engine_suite.js';

redisEngineSuite('cluster');
