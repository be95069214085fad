/**
 * What the chatbot's AI costs, next to where the owner picks it: for the chosen provider, every
 * listed model with its credits per 1M input and output tokens and per typical reply (from the
 * one price table, `priceList()`), and when replies cost no credits at all (offline, the
 * workspace's own key, an own OpenAI-compatible endpoint). With JavaScript it follows the
 * provider select; without it every provider's prices are there, the chosen one opened.
 */
import type { PriceListItem } from '@sapa/shared/billing/prices';
import type { ChatProviderId } from '@sapa/shared/ai/settings';
import { formatNumber } from '../lib/billing-labels';
import { useLocale, useT } from '../lib/root-data';
import { useHydrated } from '../hooks/use-hydrated';

interface PriceSource {
  prices: PriceListItem[];
  chatProviders: readonly ChatProviderId[];
  defaultChatModels: Record<ChatProviderId, string>;
  ownKeyProviders: ChatProviderId[];
}

const pricesOf = (source: PriceSource, provider: string) => source.prices.filter((p) => p.provider === provider);

/** The id of the datalist of a provider's listed models (the model fields' suggestions). */
export const modelListId = (provider: string) => `chat-models-${provider}`;

/** One datalist per paid provider: the model fields suggest the listed models with their price. */
export function ModelDatalists({ source }: { source: PriceSource }) {
  const tr = useT();
  const locale = useLocale();
  return (
    <>
      {source.chatProviders
        .filter((p) => p !== 'offline')
        .map((provider) => (
          <datalist key={provider} id={modelListId(provider)}>
            {pricesOf(source, provider).map((item) => (
              <option key={item.model} value={item.model}>
                {provider === 'openai_compatible'
                  ? item.label
                  : `${item.label} · ${tr('chatbot.price.approx', { credits: formatNumber(item.typicalReply, locale) })} / ${tr('chatbot.price.typical').toLowerCase()}`}
              </option>
            ))}
          </datalist>
        ))}
    </>
  );
}

function PriceTable({ source, provider }: { source: PriceSource; provider: ChatProviderId }) {
  const tr = useT();
  const locale = useLocale();
  const credits = (value: number) => formatNumber(value, locale);
  const defaultModel = source.defaultChatModels[provider];
  return (
    <div className="model-prices__scroll">
      <table className="price-table" data-testid="price-table" data-provider={provider}>
        <thead>
          <tr>
            <th scope="col">{tr('chatbot.price.model')}</th>
            <th scope="col" className="num">
              {tr('chatbot.price.input')}
            </th>
            <th scope="col" className="num">
              {tr('chatbot.price.output')}
            </th>
            <th scope="col" className="num">
              {tr('chatbot.price.typical')}
            </th>
          </tr>
        </thead>
        <tbody>
          {pricesOf(source, provider).map((item) => (
            <tr key={item.model} data-testid="price-row" data-model={item.model} data-typical={item.typicalReply}>
              <th scope="row">
                <span className="price-table__label">{item.label}</span> <code className="price-table__model">{item.model}</code>
                {item.model === defaultModel ? <span className="price-table__default"> ({tr('chatbot.price.default')})</span> : null}
              </th>
              <td className="num">{tr('chatbot.price.credits', { credits: credits(item.inputPer1M) })}</td>
              <td className="num">{tr('chatbot.price.credits', { credits: credits(item.outputPer1M) })}</td>
              <td className="num">{tr('chatbot.price.approx', { credits: credits(item.typicalReply) })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One provider's prices, or why its replies cost nothing. */
function ProviderPrices({ source, provider }: { source: PriceSource; provider: ChatProviderId }) {
  const tr = useT();
  if (provider === 'offline') {
    return (
      <p className="settings-note" data-testid="price-free">
        {tr('chatbot.price.free')}
      </p>
    );
  }
  if (provider === 'openai_compatible') {
    return (
      <p className="settings-note" data-testid="price-own-endpoint">
        {tr('chatbot.price.ownEndpoint')}
      </p>
    );
  }
  return (
    <>
      {source.ownKeyProviders.includes(provider) ? (
        <p className="settings-note" data-testid="price-own-key">
          {tr('chatbot.price.ownKeyActive', { provider: tr(`chatbot.providerName.${provider}`) })}
        </p>
      ) : null}
      <PriceTable source={source} provider={provider} />
      <p className="field__hint">
        {tr('chatbot.price.caption')} {tr('chatbot.price.unlisted')}
      </p>
    </>
  );
}

export function ModelPrices({ source, provider }: { source: PriceSource; provider: string }) {
  const tr = useT();
  const hydrated = useHydrated();
  const chosen = source.chatProviders.find((p) => p === provider);
  const title = (p: ChatProviderId) => tr('chatbot.price.title', { provider: tr(`chatbot.providerName.${p}`) });
  return (
    <div className="model-prices" data-testid="model-prices" data-provider={chosen ?? ''}>
      {hydrated ? (
        chosen ? (
          <>
            <p className="model-prices__title">{title(chosen)}</p>
            <ProviderPrices source={source} provider={chosen} />
          </>
        ) : null
      ) : (
        // Without JavaScript the select cannot swap this part: every provider is here, folded.
        source.chatProviders.map((p) => (
          <details key={p} className="model-prices__provider" open={p === chosen} data-provider={p}>
            <summary className="model-prices__title">{title(p)}</summary>
            <ProviderPrices source={source} provider={p} />
          </details>
        ))
      )}
      <p className="field__hint" data-testid="price-own-key-note">
        {tr('chatbot.price.ownKeyNote')}
      </p>
    </div>
  );
}
