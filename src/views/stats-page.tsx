/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { FeedReaders, ReaderReport } from "../readers/report";
import type { PageContext } from "./context";
import { Layout } from "./layout";

const number = (n: number) => n.toLocaleString("en-US");
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** A table's column headers; the columns from `numericFrom` on hold numbers (right-aligned). */
function Head(props: { columns: string[]; numericFrom: number }) {
  return (
    <thead>
      <tr>
        {props.columns.map((name, i) => (
          <th scope="col" class={i >= props.numericFrom ? "n" : undefined}>
            {name}
          </th>
        ))}
      </tr>
    </thead>
  );
}

const WIDTH = 720;
const HEIGHT = 180;
const LEFT = 44;
const BOTTOM = 22;

/**
 * The last 90 days of a feed's readers as bars: inline SVG, no script, named by its
 * title and described by its desc; the same numbers are in the table after it.
 */
function Chart(props: { feed: FeedReaders; id: string }) {
  const { history } = props.feed;
  const most = Math.max(1, ...history.map((d) => d.readers));
  const plotWidth = WIDTH - LEFT;
  const plotHeight = HEIGHT - BOTTOM - 8;
  const step = plotWidth / history.length;
  const first = history[0]!;
  const last = history.at(-1)!;
  return (
    <svg class="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${props.id}-title ${props.id}-desc`}>
      <title id={`${props.id}-title`}>Readers of {props.feed.feed} per day</title>
      <desc id={`${props.id}-desc`}>
        {`From ${first.day} to ${last.day}: at most ${number(Math.max(...history.map((d) => d.readers)))} readers a day, ${number(last.readers)} today.`}
      </desc>
      <line class="axis" x1={LEFT} y1={HEIGHT - BOTTOM} x2={WIDTH} y2={HEIGHT - BOTTOM} />
      <line class="axis" x1={LEFT} y1={8} x2={LEFT} y2={HEIGHT - BOTTOM} />
      <text x={LEFT - 6} y={14} text-anchor="end">
        {number(most)}
      </text>
      <text x={LEFT - 6} y={HEIGHT - BOTTOM} text-anchor="end">
        0
      </text>
      <text x={LEFT} y={HEIGHT - 6}>
        {first.day}
      </text>
      <text x={WIDTH} y={HEIGHT - 6} text-anchor="end">
        {last.day}
      </text>
      {history.map((d, i) => {
        const h = (d.readers / most) * plotHeight;
        return (
          <rect
            class="bar"
            x={(LEFT + i * step + 0.5).toFixed(1)}
            y={(HEIGHT - BOTTOM - h).toFixed(1)}
            width={Math.max(1, step - 1).toFixed(1)}
            height={h.toFixed(1)}
          />
        );
      })}
    </svg>
  );
}

function FeedSection(props: { ctx: PageContext; feed: FeedReaders; index: number }) {
  const { feed } = props;
  const id = `feed-${props.index}`;
  return (
    <section aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>
        <a href={`${props.ctx.site.origin}${feed.feed}`}>{feed.feed}</a>
      </h2>
      <p>
        {number(feed.today.readers)} readers today: {number(feed.today.aggregators)} reported by aggregators, {number(feed.today.hub)} subscribed through the
        WebSub hub, {number(feed.today.others)} other readers. {number(feed.today.polls)} polls, {percent(feed.today.notModifiedShare)} answered 304 Not
        Modified.
      </p>
      <figure>
        <Chart feed={feed} id={id} />
        <figcaption>Readers per day, the last 90 days (UTC).</figcaption>
      </figure>
      <details>
        <summary>The 90 days as a table</summary>
        <section class="table-wrap" aria-label={`The 90 days of ${feed.feed}`} tabindex={0}>
          <table>
            <caption class="visually-hidden">Readers of {feed.feed} per day</caption>
            <Head columns={["Day (UTC)", "Readers"]} numericFrom={1} />
            <tbody>
              {[...feed.history].reverse().map((d) => (
                <tr>
                  <th scope="row">{d.day}</th>
                  <td class="n">{number(d.readers)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </details>
      <h3>Today by reader</h3>
      {feed.sources.length === 0 ? (
        <p class="hint">No reader has polled this feed today.</p>
      ) : (
        <section class="table-wrap" aria-label={`Readers of ${feed.feed} today`} tabindex={0}>
          <table>
            <Head columns={["Reader", "Counted as", "Readers", "Polls"]} numericFrom={2} />
            <tbody>
              {feed.sources.map((s) => (
                <tr>
                  <th scope="row">
                    {s.name}
                    {s.feedId !== null && ` (feed ${s.feedId})`}
                  </th>
                  <td>{s.kind === "aggregator" ? "subscribers it reports" : s.kind === "hub" ? "active subscriptions" : "distinct clients"}</td>
                  <td class="n">{number(s.readers)}</td>
                  <td class="n">{number(s.polls)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {feed.crawlers.length > 0 && (
        <>
          <h3>Crawlers today (not readers)</h3>
          <section class="table-wrap" aria-label={`Crawlers of ${feed.feed}`} tabindex={0}>
            <table>
              <Head columns={["Crawler", "Polls"]} numericFrom={1} />
              <tbody>
                {feed.crawlers.map((c) => (
                  <tr>
                    <th scope="row">{c.name}</th>
                    <td class="n">{number(c.polls)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </section>
  );
}

/** GET /stats: readers per feed, for the publisher (behind a token). */
export function StatsPage(props: { ctx: PageContext; report: ReaderReport | null; off: string | null }) {
  const { report } = props;
  return (
    <Layout ctx={props.ctx} meta={{ title: "Readers", description: "Readers of each feed, counted without tracking anyone.", path: null }}>
      <div class="stats">
        <h1>Readers</h1>
        {report === null ? (
          <p>{props.off}</p>
        ) : (
          <>
            <p class="lede">
              Today ({report.today}, UTC): the subscribers aggregators report, the WebSub hub's subscriptions and other readers, per feed. No address or
              identifier is kept past the day.
            </p>
            {report.feeds.length === 0 ? (
              <p class="hint">No feed has been polled since counting began.</p>
            ) : (
              <>
                <section class="table-wrap" aria-label="Readers per feed today" tabindex={0}>
                  <table>
                    <caption class="visually-hidden">Readers per feed today</caption>
                    <Head columns={["Feed", "Readers", "Aggregators", "Hub", "Others", "Polls", "Answered 304"]} numericFrom={1} />
                    <tbody>
                      {report.feeds.map((f, i) => (
                        <tr>
                          <th scope="row">
                            <a href={`#feed-${i}-heading`}>{f.feed}</a>
                          </th>
                          <td class="n">{number(f.today.readers)}</td>
                          <td class="n">{number(f.today.aggregators)}</td>
                          <td class="n">{number(f.today.hub)}</td>
                          <td class="n">{number(f.today.others)}</td>
                          <td class="n">{number(f.today.polls)}</td>
                          <td class="n">{percent(f.today.notModifiedShare)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
                {report.feeds.map((feed, index) => (
                  <FeedSection ctx={props.ctx} feed={feed} index={index} />
                ))}
              </>
            )}
          </>
        )}
      </div>
    </Layout>
  );
}
