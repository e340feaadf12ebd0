// The Redis engine suite (redis_engine_suite.js) on one persistent redis-server.
import { redisEngineSuite } from './redis_engine_suite.js';

redisEngineSuite('single');
