import type { OpenApiDocument } from '../../lib/api/types';
import { describeSchemaType, groupApiRoutes, listApiRoutes, resolveSchema, type OpenApiSchema } from './openapi-routes';

function SchemaFields({ document, schema, depth = 0 }: { document: OpenApiDocument; schema: unknown; depth?: number }) {
  const resolved = resolveSchema(document, schema);
  if (!resolved?.properties || depth > 2) {
    return <code>{describeSchemaType(schema as OpenApiSchema)}</code>;
  }
  const required = new Set(resolved.required ?? []);
  return (
    <ul className="schema-fields" style={{ margin: 0, paddingLeft: depth ? 16 : 0, listStyle: depth ? 'disc' : 'none' }}>
      {Object.entries(resolved.properties).map(([name, property]) => {
        const child = resolveSchema(document, property);
        return (
          <li key={name}>
            <code>{name}</code> <span className="muted small">{describeSchemaType(property)}</span>
            {required.has(name) ? <span className="small tone-danger"> required</span> : null}
            {child?.description ? <span className="small"> — {child.description}</span> : null}
            {child?.properties ? <SchemaFields document={document} schema={child} depth={depth + 1} /> : null}
          </li>
        );
      })}
    </ul>
  );
}

/** The OpenAPI document as a readable list of routes: method, path, summary, parameters, body, answers. */
export function ApiRouteList({ document }: { document: OpenApiDocument }) {
  const groups = groupApiRoutes(listApiRoutes(document));
  return (
    <div data-testid="api-routes">
      {groups.map(([group, routes]) => (
        <section key={group} className="route-group">
          <h3>{group}</h3>
          {routes.map(({ method, path, operation }) => {
            const body = operation.requestBody?.content ? Object.entries(operation.requestBody.content)[0] : undefined;
            return (
              <details key={`${method} ${path}`} className="route">
                <summary>
                  <span className={`method ${method}`}>{method.toUpperCase()}</span>
                  <span className="route-path">{path}</span>
                  <span className="route-summary">{operation.summary}</span>
                </summary>
                <div className="route-body">
                  {operation.description ? <p style={{ margin: 0 }}>{operation.description}</p> : null}
                  {operation.parameters && operation.parameters.length > 0 ? (
                    <div>
                      <h3>Parameters</h3>
                      <table className="compact-table">
                        <tbody>
                          {operation.parameters.map((parameter) => (
                            <tr key={`${parameter.in}:${parameter.name}`}>
                              <td>
                                <code>{parameter.name}</code>
                              </td>
                              <td className="muted small">{parameter.in}</td>
                              <td className="small">{describeSchemaType(parameter.schema as OpenApiSchema)}</td>
                              <td className="small">
                                {parameter.required ? <span className="tone-danger">required </span> : null}
                                {parameter.description}
                              </td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  ) : null}
                  {body ? (
                    <div>
                      <h3>Request body ({body[0]})</h3>
                      <SchemaFields document={document} schema={body[1].schema} />
                    </div>
                  ) : null}
                  {operation.responses ? (
                    <div>
                      <h3>Responses</h3>
                      <ul style={{ margin: 0, paddingLeft: 16 }}>
                        {Object.entries(operation.responses).map(([status, response]) => (
                          <li key={status}>
                            <code>{status}</code> {response.description}
                          </li>
                        ))}
                      </ul>
                    </div>
                  ) : null}
                </div>
              </details>
            );
          })}
        </section>
      ))}
    </div>
  );
}
