import { InvalidAddressStore, SendCloudListAliasStore, SendCloudWebhookStore, TagStore, TemplateProfileStore } from '@postmill/store';
import type { ApiDeps } from '../../api-deps.ts';

/**
 * The stores SendCloud's management actions use beside the engine: the ones DirectMail shares
 * (template profiles and name claims, tags = SendCloud labels, dismissed invalid addresses) and
 * SendCloud's own (list aliases, webhooks). They hold no connection (they use deps.redis), so one
 * set per deps is kept; nothing about them decides anything, it only saves rebuilding objects.
 */
export interface ManagementStores {
  readonly templateProfiles: TemplateProfileStore;
  readonly tags: TagStore;
  readonly invalidAddresses: InvalidAddressStore;
  readonly listAliases: SendCloudListAliasStore;
  readonly webhooks: SendCloudWebhookStore;
}

const built = new WeakMap<ApiDeps, ManagementStores>();

/** The management stores over `deps` (the same objects for the same deps). */
export function managementStores(deps: ApiDeps): ManagementStores {
  let stores = built.get(deps);
  if (!stores) {
    const o = { redis: deps.redis, keys: deps.keys, clock: deps.clock };
    stores = {
      templateProfiles: new TemplateProfileStore(o),
      tags: new TagStore(o),
      invalidAddresses: new InvalidAddressStore(o),
      listAliases: new SendCloudListAliasStore(o),
      webhooks: new SendCloudWebhookStore(o),
    };
    built.set(deps, stores);
  }
  return stores;
}
