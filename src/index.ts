export * from './static-files';
export * from './types';
export * from './wsgi-adapter-layer';
export * from './wsgi-api';
export * from './wsgi-domain';
export * from './wsgi-function';
export * from './wsgi-rule-event-source';
export * from './wsgi-task';
