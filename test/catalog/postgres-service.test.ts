import { testCatalogTemplate } from "./template";

testCatalogTemplate("postgres-service");
