/** The PouchDB packages ship no types; the bench uses a handful of calls, typed where used. */
declare module 'pouchdb-node';
declare module 'pouchdb-browser';
declare module 'express-pouchdb';
