/**
 * Whether the device can store data again: one tiny IndexedDB write in a database of its
 * own, in the same origin (so under the same quota) as the app's database. It never touches
 * the app's data.
 */
const PROBE_DATABASE = 'fieldbook-storage-probe';

export function probeStorage(): Promise<boolean> {
  return new Promise((resolve) => {
    const open = indexedDB.open(PROBE_DATABASE, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('probe');
    open.onerror = () => resolve(false);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('probe', 'readwrite');
      tx.objectStore('probe').put(Date.now(), 'last');
      tx.oncomplete = () => {
        db.close();
        resolve(true);
      };
      tx.onabort = () => {
        db.close();
        resolve(false);
      };
    };
  });
}
